/**
 * Headless Chromium driven over the DevTools protocol with Deno's built-in
 * WebSocket, no npm package: launch with a fresh profile and
 * `--remote-debugging-port=0`, read the WebSocket URL from stderr, open a
 * page in its own target session, and collect console errors, exceptions and
 * network requests while it loads.
 *
 * @module
 */

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** The flags every launch uses (ENVIRONMENT.md), besides the profile and the port. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--hide-scrollbars",
  "--mute-audio",
];

/**
 * The chromium command to run, or why there is none.
 *
 * @returns `{command}` when chromium is installed, else `{skip}` with the reason.
 */
export async function findChromium(): Promise<{ command: string } | { skip: string }> {
  try {
    await Deno.stat(CHROMIUM_PATH);
    return { command: CHROMIUM_PATH };
  } catch { /* try PATH */ }
  try {
    const out = await new Deno.Command("chromium", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    if (out.success) return { command: "chromium" };
    return { skip: `"chromium --version" exited with code ${out.code}` };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return {
        skip:
          `chromium is not installed (no ${CHROMIUM_PATH}, none on PATH); install the Debian package "chromium"`,
      };
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return {
        skip: "no permission to run chromium; run with --allow-run=chromium,/usr/bin/chromium",
      };
    }
    throw e;
  }
}

/** A DevTools event. */
export interface CdpEvent {
  /** E.g. `"Runtime.exceptionThrown"`. */
  method: string;
  /** Its parameters. */
  params: Record<string, unknown>;
  /** The target session it came from, if any. */
  sessionId?: string;
}

/** One DevTools WebSocket connection: commands with replies, and events. */
export class Cdp {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #listeners = new Set<(e: CdpEvent) => void>();
  #closed: Promise<void>;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.#closed = new Promise((resolve) => ws.addEventListener("close", () => resolve()));
    ws.addEventListener("message", (m) => {
      const msg = JSON.parse(String(m.data));
      if (typeof msg.id === "number") {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`${msg.error.message} (${msg.error.code})`));
        else p?.resolve(msg.result);
      } else if (typeof msg.method === "string") {
        const event: CdpEvent = { method: msg.method, params: msg.params ?? {} };
        if (msg.sessionId) event.sessionId = msg.sessionId;
        for (const l of this.#listeners) l(event);
      }
    });
    ws.addEventListener("close", () => {
      for (const p of this.#pending.values()) p.reject(new Error("DevTools connection closed"));
      this.#pending.clear();
    });
  }

  /**
   * Connects to a DevTools WebSocket URL.
   *
   * @param url `ws://127.0.0.1:PORT/devtools/browser/…`.
   * @returns The open connection.
   */
  static connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(new Cdp(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error(`Cannot connect to ${url}`)), {
        once: true,
      });
    });
  }

  /**
   * Sends a command and waits for its reply.
   *
   * @param method E.g. `"Page.navigate"`.
   * @param params Its parameters.
   * @param sessionId The target session (flat mode).
   * @returns The result.
   */
  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    const id = this.#next++;
    const msg: Record<string, unknown> = { id, method, params };
    if (sessionId !== undefined) msg.sessionId = sessionId;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#ws.send(JSON.stringify(msg));
    });
  }

  /**
   * Calls `listener` with every event.
   *
   * @param listener The callback.
   * @returns A function that removes it.
   */
  on(listener: (e: CdpEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Waits for the first event that matches.
   *
   * @param method The event name.
   * @param sessionId Only from this session.
   * @param timeoutMs Give up after this long.
   * @returns The event.
   */
  waitFor(method: string, sessionId: string | undefined, timeoutMs: number): Promise<CdpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${method}`));
      }, timeoutMs);
      const off = this.on((e) => {
        if (e.method === method && (sessionId === undefined || e.sessionId === sessionId)) {
          clearTimeout(timer);
          off();
          resolve(e);
        }
      });
    });
  }

  /** Closes the connection and waits until it is closed. */
  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
      this.#ws.close();
    }
    await this.#closed;
  }
}

/** A running headless Chromium. */
export interface Browser {
  /** The browser-level DevTools connection. */
  cdp: Cdp;
  /** Stops the browser, removes its profile folder and closes every handle. */
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile and connects to it.
 *
 * @param command `/usr/bin/chromium` or `chromium` (from {@linkcode findChromium}).
 * @param timeoutMs How long to wait for the DevTools URL.
 * @returns The browser.
 */
export async function launchChromium(command: string, timeoutMs = 20_000): Promise<Browser> {
  const profile = await Deno.makeTempDir({ prefix: "cellscope-chromium-" });
  const child = new Deno.Command(command, {
    args: [
      ...CHROMIUM_FLAGS,
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  let found: (url: string) => void = () => {};
  const urlPromise = new Promise<string>((resolve) => (found = resolve));
  // Drain stderr for the browser's whole life, so it never blocks on a full pipe.
  const drained = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (m) found(m[1]!);
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    }
  })();
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await drained.catch(() => {});
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const url = await Promise.race([
      urlPromise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Chromium printed no DevTools URL within ${timeoutMs} ms; its stderr:\n${
                  stderr.slice(-2000)
                }`,
              ),
            ),
          timeoutMs,
        );
      }),
      child.status.then((s) => {
        throw new Error(
          `Chromium exited with code ${s.code} before it listened; its stderr:\n${
            stderr.slice(-2000)
          }`,
        );
      }),
    ]);
    clearTimeout(timer);
    const cdp = await Cdp.connect(url);
    return {
      cdp,
      close: async () => {
        await Promise.race([
          cdp.send("Browser.close").catch(() => {}),
          new Promise((resolve) => setTimeout(resolve, 2000)),
        ]);
        await Promise.race([cdp.close(), new Promise((resolve) => setTimeout(resolve, 2000))]);
        await stop();
      },
    };
  } catch (e) {
    clearTimeout(timer);
    await stop();
    throw e;
  }
}

/** What a page logged while it was open. */
export interface PageLog {
  /** Exceptions, console.error calls and error log entries, as text. */
  errors: string[];
  /** Every URL the page requested (including file: and data: URLs). */
  requests: string[];
}

/** A page in its own target session. */
export interface Page {
  /** Sends a command to the page's session. */
  send<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Evaluates an expression in the page and returns its value (JSON). */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** What it logged so far. */
  log: PageLog;
  /** Writes a PNG screenshot of the viewport, or of a clip of the page. */
  screenshot(
    path: string,
    clip?: { x: number; y: number; width: number; height: number },
  ): Promise<void>;
}

function describeArg(arg: Record<string, unknown>): string {
  return String(arg.value ?? arg.description ?? arg.type);
}

/**
 * Opens a URL in a new page and waits for its load event.
 *
 * @param browser The browser.
 * @param url E.g. `file:///tmp/report.html`.
 * @param viewport Width and height in CSS pixels.
 * @returns The page, with its log collected from before navigation.
 */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const { cdp } = browser;
  const { targetId } = await cdp.send<{ targetId: string }>("Target.createTarget", {
    url: "about:blank",
  });
  const { sessionId } = await cdp.send<{ sessionId: string }>("Target.attachToTarget", {
    targetId,
    flatten: true,
  });
  const log: PageLog = { errors: [], requests: [] };
  cdp.on((e) => {
    if (e.sessionId !== sessionId) return;
    // deno-lint-ignore no-explicit-any
    const p = e.params as Record<string, any>;
    if (e.method === "Runtime.exceptionThrown") {
      const d = p.exceptionDetails ?? {};
      log.errors.push(`exception: ${d.exception?.description ?? d.text}`);
    } else if (e.method === "Runtime.consoleAPICalled" && p.type === "error") {
      log.errors.push(`console.error: ${(p.args ?? []).map(describeArg).join(" ")}`);
    } else if (e.method === "Log.entryAdded" && p.entry?.level === "error") {
      log.errors.push(`log: ${p.entry.text} ${p.entry.url ?? ""}`.trim());
    } else if (e.method === "Network.requestWillBeSent") {
      log.requests.push(String(p.request?.url));
    } else if (e.method === "Network.webSocketCreated") {
      log.requests.push(String(p.url));
    }
  });
  const send = <T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
  ) => cdp.send<T>(method, params, sessionId);
  for (const domain of ["Runtime", "Log", "Network", "Page"]) await send(`${domain}.enable`);
  await send("Emulation.setDeviceMetricsOverride", {
    ...viewport,
    deviceScaleFactor: 1,
    mobile: false,
  });
  const loaded = cdp.waitFor("Page.loadEventFired", sessionId, 20_000);
  const nav = await send<{ errorText?: string }>("Page.navigate", { url });
  if (nav.errorText) throw new Error(`Cannot open ${url}: ${nav.errorText}`);
  await loaded;
  return {
    send,
    log,
    async evaluate<T>(expression: string): Promise<T> {
      const r = await send<{ result: { value?: unknown }; exceptionDetails?: { text: string } }>(
        "Runtime.evaluate",
        { expression, returnByValue: true, awaitPromise: true },
      );
      if (r.exceptionDetails) {
        throw new Error(`Evaluating ${expression} threw: ${JSON.stringify(r.exceptionDetails)}`);
      }
      return r.result.value as T;
    },
    async screenshot(path, clip) {
      const params: Record<string, unknown> = { format: "png" };
      if (clip) {
        params.clip = { ...clip, scale: 1 };
        params.captureBeyondViewport = true;
      }
      const { data } = await send<{ data: string }>("Page.captureScreenshot", params);
      const bin = atob(data);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      await Deno.writeFile(path, bytes);
    },
  };
}

/**
 * The requests that would reach a network: http(s) and ws(s) URLs only
 * (file: and data: URLs are local).
 *
 * @param urls Requested URLs.
 * @returns Those with a network scheme.
 */
export function networkRequests(urls: readonly string[]): string[] {
  return urls.filter((u) => /^(https?|wss?):/i.test(u));
}
