"""The portal's foundation package; see docs/ARCHITECTURE.md."""
