"""A small Wagtail site for the tests: article pages rendered with the player."""
