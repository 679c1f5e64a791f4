"""The portal's own middleware, one module per job (see MIDDLEWARE in portal/settings/base.py)."""
