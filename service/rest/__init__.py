"""REST routers: thin HTTP surfaces over the same code the command line and GraphQL use."""
