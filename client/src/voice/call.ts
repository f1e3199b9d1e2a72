/**
 * The WebRTC side of a voice call: microphone, peer connection, offer/answer and ICE,
 * all signalled through the world socket (the server relays, media goes peer to peer).
 *
 * The caller sends the offer once the callee accepted; the callee opens its microphone
 * before accepting, so a refused permission declines instead of leaving the caller
 * waiting. Candidates that arrive before the remote description are held until it is set.
 */

import type { OutFrame } from "../net/codec";
import type { ServerFrame } from "../net/protocol.gen";
import { applyCallState, idleCall, inCall, orphanedCall, type CallView } from "./model";

type CallFrameOut = Extract<ServerFrame, { t: "call_state" | "call_sdp" | "call_ice" | "call_mute" }>;

export interface VoiceOptions {
  send(frame: OutFrame): boolean;
  onChange(view: CallView): void;
  /** STUN/TURN servers (the server's `welcome` names them); none: peers reach each other directly. */
  iceServers: RTCIceServer[];
  /** Where the other party's voice plays. */
  audio: HTMLAudioElement;
}

export interface MediaStats {
  /** Audio bytes received (inbound RTP) and sent (outbound RTP) on this call. */
  inboundBytes: number;
  outboundBytes: number;
  /** Energy of the received audio, which stops growing while the other party is muted. */
  inboundEnergy: number;
}

export function isCallFrame(frame: ServerFrame): frame is CallFrameOut {
  return frame.t === "call_state" || frame.t === "call_sdp" || frame.t === "call_ice" || frame.t === "call_mute";
}

export class VoiceCall {
  view: CallView = idleCall();
  private pc: RTCPeerConnection | null = null;
  private mic: MediaStream | null = null;
  private pendingIce: RTCIceCandidateInit[] = [];
  private reportedConnected = false;

  constructor(private readonly options: VoiceOptions) {}

  // ------------------------------------------------------------ user actions

  call(peerId: number): void {
    if (inCall(this.view)) return;
    this.update({ ...idleCall(), problem: null });
    this.options.send({ t: "call_invite", to: peerId });
  }

  async accept(): Promise<void> {
    const callId = this.view.callId;
    if (this.view.phase !== "ringing" || !callId) return;
    try {
      await this.openMic();
    } catch {
      this.options.send({ t: "call_decline", call: callId });
      this.update({ ...this.view, problem: "microphone" });
      return;
    }
    this.options.send({ t: "call_accept", call: callId });
  }

  decline(): void {
    if (this.view.phase === "ringing" && this.view.callId) this.options.send({ t: "call_decline", call: this.view.callId });
  }

  hangUp(): void {
    if (inCall(this.view) && this.view.callId) this.options.send({ t: "call_hangup", call: this.view.callId });
  }

  toggleMute(): void {
    const callId = this.view.callId;
    if (!callId || !inCall(this.view)) return;
    const muted = !this.view.muted;
    for (const track of this.mic?.getAudioTracks() ?? []) track.enabled = !muted;
    this.options.send({ t: "call_mute", call: callId, muted });
    this.update({ ...this.view, muted });
  }

  /** A refused call frame (`error` with a `call_*` ref). */
  refused(code: string): void {
    this.update({ ...this.view, problem: code });
  }

  /** The world socket dropped: the server ended the call, tidy up here. */
  disconnected(): void {
    if (!inCall(this.view)) return;
    this.teardown();
    this.update({ ...this.view, phase: "ended", why: "disconnected", by: null, duration: null });
  }

  // ------------------------------------------------------------ signalling in

  async onFrame(frame: CallFrameOut): Promise<void> {
    if (frame.call !== this.view.callId && frame.t !== "call_state") return;
    switch (frame.t) {
      case "call_state":
        await this.onState(frame);
        break;
      case "call_sdp":
        await this.onSdp(frame.kind, frame.sdp);
        break;
      case "call_ice":
        await this.onIce({ candidate: frame.candidate, sdpMid: frame.mid ?? null, sdpMLineIndex: frame.mline ?? null });
        break;
      case "call_mute":
        this.update({ ...this.view, peerMuted: frame.muted });
        break;
    }
  }

  private async onState(frame: Extract<CallFrameOut, { t: "call_state" }>): Promise<void> {
    const before = this.view;
    const orphan = orphanedCall(before, frame);
    if (orphan) {
      this.options.send({ t: "call_hangup", call: orphan });
      return;
    }
    const next = applyCallState(before, frame);
    if (next === before) return;
    this.update(next);
    if (next.phase === "ended") {
      this.teardown();
    } else if (next.phase === "connecting" && before.phase === "calling" && next.outgoing) {
      await this.sendOffer();
    }
  }

  private async sendOffer(): Promise<void> {
    const callId = this.view.callId;
    try {
      const pc = await this.peer();
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      if (callId && offer.sdp) this.options.send({ t: "call_sdp", call: callId, kind: "offer", sdp: offer.sdp });
    } catch (error) {
      this.fail(error);
    }
  }

  private async onSdp(kind: string, sdp: string): Promise<void> {
    const callId = this.view.callId;
    try {
      const pc = await this.peer();
      if (kind === "offer") {
        await pc.setRemoteDescription({ type: "offer", sdp });
        await this.flushIce(pc);
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        if (callId && answer.sdp) this.options.send({ t: "call_sdp", call: callId, kind: "answer", sdp: answer.sdp });
      } else {
        await pc.setRemoteDescription({ type: "answer", sdp });
        await this.flushIce(pc);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private async onIce(candidate: RTCIceCandidateInit): Promise<void> {
    const pc = this.pc;
    if (!pc || !pc.remoteDescription) {
      this.pendingIce.push(candidate);
      return;
    }
    await pc.addIceCandidate(candidate.candidate ? candidate : undefined).catch((error: unknown) => console.warn("voice: ICE candidate refused", error));
  }

  private async flushIce(pc: RTCPeerConnection): Promise<void> {
    const held = this.pendingIce.splice(0);
    for (const candidate of held) {
      await pc.addIceCandidate(candidate.candidate ? candidate : undefined).catch((error: unknown) => console.warn("voice: ICE candidate refused", error));
    }
  }

  // ------------------------------------------------------------ media

  private async openMic(): Promise<MediaStream> {
    if (!this.mic) this.mic = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    return this.mic;
  }

  private async peer(): Promise<RTCPeerConnection> {
    if (this.pc) return this.pc;
    const mic = await this.openMic();
    const pc = new RTCPeerConnection({ iceServers: this.options.iceServers });
    this.pc = pc;
    this.reportedConnected = false;
    for (const track of mic.getAudioTracks()) pc.addTrack(track, mic);
    pc.onicecandidate = (event) => {
      const callId = this.view.callId;
      if (!callId || this.pc !== pc) return;
      const c = event.candidate;
      this.options.send(
        c ? { t: "call_ice", call: callId, candidate: c.candidate, mid: c.sdpMid, mline: c.sdpMLineIndex } : { t: "call_ice", call: callId, candidate: "" },
      );
    };
    pc.ontrack = (event) => {
      const audio = this.options.audio;
      audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      void audio.play().catch(() => undefined); // autoplay may wait for a gesture; stats flow anyway
    };
    pc.onconnectionstatechange = () => {
      const callId = this.view.callId;
      if (this.pc !== pc || !callId) return;
      if (pc.connectionState === "connected" && !this.reportedConnected) {
        this.reportedConnected = true;
        this.options.send({ t: "call_connected", call: callId });
      } else if (pc.connectionState === "failed") {
        this.fail(new Error("the peer connection failed"));
      }
    };
    return pc;
  }

  private fail(error: unknown): void {
    console.warn("voice: call failed", error);
    this.update({ ...this.view, problem: "failed" });
    this.hangUp();
  }

  private teardown(): void {
    this.pc?.close();
    this.pc = null;
    for (const track of this.mic?.getTracks() ?? []) track.stop();
    this.mic = null;
    this.pendingIce = [];
    this.options.audio.srcObject = null;
  }

  /** Whether our microphone track is live and sending (false while muted or idle). */
  micOn(): boolean {
    const tracks = this.mic?.getAudioTracks() ?? [];
    return tracks.length > 0 && tracks.every((t) => t.enabled && t.readyState === "live");
  }

  async stats(): Promise<MediaStats> {
    const out: MediaStats = { inboundBytes: 0, outboundBytes: 0, inboundEnergy: 0 };
    const pc = this.pc;
    if (!pc) return out;
    const report = await pc.getStats();
    report.forEach((s: { type: string; kind?: string; bytesReceived?: number; bytesSent?: number; totalAudioEnergy?: number }) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") {
        out.inboundBytes += s.bytesReceived ?? 0;
        out.inboundEnergy += s.totalAudioEnergy ?? 0;
      } else if (s.type === "outbound-rtp" && s.kind === "audio") {
        out.outboundBytes += s.bytesSent ?? 0;
      }
    });
    return out;
  }

  private update(view: CallView): void {
    this.view = view;
    this.options.onChange(view);
  }
}
