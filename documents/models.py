"""Models arrive with the lifecycle issues."""
