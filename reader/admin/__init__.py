"""The staff side: the content API, the build queue and its worker, and the admin pages."""
