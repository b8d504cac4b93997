"""Composition: any registered paper's data model × any offered encoder × any zoo loss (``sslab run compose``),
the collapse diagnostics, and the data × loss gallery. It uses only what papers export for composition."""
