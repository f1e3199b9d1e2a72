"""The shared 3D space: rooms, presence, avatar sync, chat and WebRTC signalling."""
