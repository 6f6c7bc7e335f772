"""DuckDB storage: schema, idempotent writes, analyst views, published read copy."""

from sentiment.store.db import SCHEMA_VERSION, Store

__all__ = ["SCHEMA_VERSION", "Store"]
