"""The console's views, one module per page; routes are in admin/blueprint.py."""
