"""HTTP: the request client behind ``ctx.request``, its retry rule, and the dry run."""
