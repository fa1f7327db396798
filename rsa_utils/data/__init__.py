"""Data: where the images come from, splits, the chunk cache, synthetic and real datasets."""
