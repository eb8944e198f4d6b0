"""A local fake of Twilio's Messages API and its status callbacks."""
