"""The scoring engine: de-duplicate images, texts and pairs, batch them through an adapter, and score items."""
