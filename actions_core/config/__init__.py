"""The YAML instance config: loading, environment variables, and errors with locations."""
