"""The staff side: sign-in, jobs that start pipeline work, and the admin pages."""
