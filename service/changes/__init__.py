"""The change feed (docs/changes.md): what changed, in a resumable order."""
