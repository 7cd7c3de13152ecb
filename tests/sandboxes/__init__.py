"""Local stand-ins for remote sides (SMTP server process, SMS gateway, carriers) as fixtures."""
