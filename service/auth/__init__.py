"""API keys and scopes: who may read, write and manage keys."""
