"""Test helpers shared across test packages (a local HTTP server and its pytest fixture)."""
