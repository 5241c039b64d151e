"""Data functions, one module per resource: connection first, keyword-only arguments, typed
records back, NotFound when a row is missing. Their SQL lives in sql/<resource>.sql."""
