"""View models of the UI's pages: plain structs made from the use cases' results."""
