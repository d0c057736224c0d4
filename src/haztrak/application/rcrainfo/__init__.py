"""Work with RCRAInfo (e-Manifest): each use case here either starts a task or is the task."""
