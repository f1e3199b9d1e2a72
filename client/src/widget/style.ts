/** The widget's styles, applied inside its shadow root only. */
export const WIDGET_CSS = `
:host { all: initial; font-family: system-ui, sans-serif; }
.toggle { position: fixed; right: 1.25rem; bottom: 1.25rem; z-index: 2147483000; background: #0a6cff; color: #fff;
  border: 0; border-radius: 999px; padding: 0.75rem 1.1rem; font: 600 15px system-ui, sans-serif; cursor: pointer; }
.panel { position: fixed; right: 1.25rem; bottom: 4.5rem; z-index: 2147483000; width: min(22rem, 92vw); height: 28rem;
  display: flex; flex-direction: column; background: #fff; color: #1d232b; border-radius: 12px;
  box-shadow: 0 8px 30px rgba(0,0,0,.2); padding: 0.75rem; gap: 0.5rem; font: 14px system-ui, sans-serif; }
.panel[hidden], .rating[hidden], .person[hidden] { display: none; }
.log { flex: 1; overflow: auto; list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.35rem; }
.log li { padding: 0.35rem 0.55rem; border-radius: 8px; background: #f1f3f6; max-width: 85%; white-space: pre-wrap; }
.log li.customer { align-self: flex-end; background: #dbe8ff; }
.log li.event, .log li.csat_request, .log li.csat { align-self: center; background: none; color: #5b6470; font-size: 12px; }
.compose { display: flex; gap: 0.4rem; }
.compose input { flex: 1; padding: 0.45rem; border: 1px solid #b8c0ca; border-radius: 6px; font: inherit; }
button { font: inherit; cursor: pointer; border: 1px solid #b8c0ca; background: #fff; border-radius: 6px; padding: 0.35rem 0.6rem; }
button:focus-visible, input:focus-visible { outline: 3px solid #ffb000; outline-offset: 2px; }
.rating { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; }
.error { color: #b00020; margin: 0; min-height: 1em; }
`;
