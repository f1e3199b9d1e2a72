"""Payment providers: the interface and the sandbox."""
