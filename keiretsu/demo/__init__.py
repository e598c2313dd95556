"""Demo data for a fresh instance: `keiretsu demo` (a company), `keiretsu demo_supplychain` (a
supply tree around it), `keiretsu demo_benchmark` (an industry body with releases). The demo
app depends on the others; none depends on it."""
