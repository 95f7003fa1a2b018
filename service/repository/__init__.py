"""Repositories: the only place (with the loaders' batch functions) where SQL is built and run."""
