"""`smsbot sandbox`: the bot, the simulator gateway and the Slack workspace emulator (emulator/)
with a web page, in one process (run.py wires them; app.py serves the page)."""
