/**
 * Privacy for the storefront, mounted with one import:
 *
 *   import { mountConsentPrompt, mountPrivacyCentre, SignalGate } from "./privacy";
 *
 * Start every tracker behind a SignalGate with nothing allowed, and open it from the
 * prompt's onChange: no optional signal exists before the visitor has chosen.
 */

import "./privacy.css";

export { mountConsentPrompt, type ConsentHandle, type ConsentOptions } from "./prompt";
export { mountPrivacyCentre, type CentreHandle, type CentreOptions } from "./centre";
export { SignalGate, inForce, PURPOSE_OF_SIGNAL } from "./model";
export { PrivacyApi, type Purpose, type Signal, type ConsentState } from "./api";
export { InterestTracker, type Attention } from "./tracker";
export { StorefrontPrivacy, type StorefrontPrivacyOptions } from "./storefront";
