"""The conversations' channels: the web widget (`widget`), email (`mail`), the messaging-app
webhook bridge (`webhook_routes`, `webhook_outbox`), the 3D world (`world`, `calls`), and
what runs beside requests for all of them (`background.running`)."""
