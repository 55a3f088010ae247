"""Template tags: the player on the site's pages, and the panel in the editor."""
