"""Notices (issue 15): events told to the users they concern, in the app and by e-mail."""
