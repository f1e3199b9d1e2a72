// A Colyseus room server with the shape of the Vitrina world benchmark (bench/world_vs_peer.py):
// rooms of up to `capacity` players, each player's position, yaw and timestamp in the room
// state, clients send `move` at 20 Hz and the state patches go out every 50 ms (20 Hz).
// Usage: node server.mjs <port> [capacity] [patch_ms]
import { Server, Room } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { schema, t, MapSchema } from "@colyseus/schema";

const port = Number(process.argv[2] || 2567);
const capacity = Number(process.argv[3] || 50);
const patchMs = Number(process.argv[4] || 50);

// The same fields as a Vitrina snapshot entry: centimetres, a 16-bit yaw, the sender's ms.
const Player = schema({ x: t.int32(), y: t.int32(), z: t.int32(), yaw: t.uint16(), ts: t.uint32() }, "Player");
const WorldState = schema({ players: t.map(Player) }, "WorldState");

const TAU = 2 * Math.PI;
const finite = (v) => typeof v === "number" && Number.isFinite(v);

class WorldRoom extends Room {
  maxClients = capacity;
  patchRate = patchMs;
  // The same frame budget as Vitrina's session (50 frames/s sustained).
  maxMessagesPerSecond = 50;

  messages = {
    move: (client, m) => {
      // The checks Vitrina's move makes on its shape: finite numbers, a 32-bit timestamp.
      if (m === null || typeof m !== "object" || !finite(m.x) || !finite(m.z)) return;
      const p = this.state.players.get(client.sessionId);
      if (p === undefined) return;
      p.x = Math.round(m.x * 100);
      p.y = 0;
      p.z = Math.round(m.z * 100);
      p.yaw = finite(m.r) ? Math.round(((m.r % TAU) + TAU) % TAU * (65536 / TAU)) & 0xffff : 0;
      p.ts = Number.isInteger(m.ts) && m.ts >= 0 && m.ts <= 0xffffffff ? m.ts : 0;
    },
  };

  onCreate() {
    this.state = new WorldState();
    this.state.players = new MapSchema();
  }

  onJoin(client) {
    this.state.players.set(client.sessionId, new Player());
  }

  onLeave(client) {
    this.state.players.delete(client.sessionId);
  }
}

const server = new Server({ transport: new WebSocketTransport({ perMessageDeflate: false }), greet: false });
server.define("world", WorldRoom).filterBy(["room"]);
await server.listen(port, "127.0.0.1");
console.log("listening");
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => process.exit(0));
}
