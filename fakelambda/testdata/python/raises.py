raise KeyError("JWKS_URI")
