package io.fmnist.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol (Java's own WebSocket
 * client, no driver binary): opens a page, waits for its load event, decodes every image and
 * collects console errors, uncaught exceptions, failed loads and every request; then evaluates
 * scripts on the page and sends it real mouse events.
 */
public final class HeadlessChromium implements AutoCloseable {

  /** What a page did: its title, images found and decoded, every error it logged, and every URL it requested. */
  public record PageLoad(String title, int images, int decoded, List<String> errors, List<String> requests) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** The browser: {@code $FMNIST_CHROMIUM} or /usr/bin/chromium (Debian's package {@code chromium}). */
  public static HeadlessChromium start() throws Exception {
    String binary = System.getenv().getOrDefault("FMNIST_CHROMIUM", "/usr/bin/chromium");
    if (!Files.isExecutable(Path.of(binary))) {
      throw new IllegalStateException(binary + ": no Chromium to check the report with; install Debian's "
          + "package chromium (apt-get install chromium) or point FMNIST_CHROMIUM at one");
    }
    Path profile = Files.createTempDirectory("fmnist-chromium");
    // The flags keep a root, offline, display-less machine quiet: no sandbox, GPU or background traffic.
    Process process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile, "about:blank")
        .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("Chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
      }
      Thread.sleep(100);
    }
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
    HttpClient http = HttpClient.newHttpClient();
    JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
    String page = null;
    for (JsonNode target : targets) {
      if (target.path("type").asText().equals("page")) {
        page = target.get("webSocketDebuggerUrl").asText();
      }
    }
    if (page == null) {
      process.destroyForcibly();
      throw new IllegalStateException("Chromium has no page to drive: " + targets);
    }
    Listener listener = new Listener();
    WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(page), listener)
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    HeadlessChromium browser = new HeadlessChromium(process, profile, socket);
    listener.browser = browser;
    for (String domain : List.of("Runtime", "Log", "Page", "Network")) {
      browser.call(domain + ".enable", JSON.createObjectNode());
    }
    return browser;
  }

  /** Opens {@code file}, waits for its load event, then decodes every image on it. */
  public PageLoad open(Path file) throws Exception {
    events.clear();
    ObjectNode navigate = JSON.createObjectNode().put("url", file.toUri().toString());
    JsonNode navigated = call("Page.navigate", navigate);
    if (navigated.has("errorText")) {
      return new PageLoad("", 0, 0, List.of("navigation: " + navigated.get("errorText").asText()), requests());
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (events.stream().noneMatch(e -> e.path("method").asText().equals("Page.loadEventFired"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(file + ": no load event within " + TIMEOUT);
      }
      Thread.sleep(50);
    }
    ObjectNode evaluate = JSON.createObjectNode()
        .put("expression", "Promise.all(Array.from(document.images).map(i => i.decode()"
            + ".then(() => i.naturalWidth > 0, () => false))).then(r => JSON.stringify({title: document.title,"
            + " images: r.length, decoded: r.filter(x => x).length}))")
        .put("awaitPromise", true).put("returnByValue", true);
    JsonNode result = JSON.readTree(call("Runtime.evaluate", evaluate).at("/result/value").asText());
    return new PageLoad(result.get("title").asText(), result.get("images").asInt(), result.get("decoded").asInt(),
        errors(), requests());
  }

  /** Sizes the page's viewport, as a window of that size would. */
  public void viewport(int width, int height) throws Exception {
    call("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", width).put("height", height)
        .put("deviceScaleFactor", 1).put("mobile", false));
  }

  /** The value of a JavaScript expression on the open page (a promise is awaited), as JSON. */
  public JsonNode evaluate(String expression) throws Exception {
    ObjectNode evaluate = JSON.createObjectNode().put("expression", "Promise.resolve(" + expression
        + ").then(v => JSON.stringify(v))").put("awaitPromise", true).put("returnByValue", true);
    JsonNode result = call("Runtime.evaluate", evaluate);
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException(expression + ": " + result.get("exceptionDetails"));
    }
    return JSON.readTree(result.at("/result/value").asText());
  }

  /** A real mouse event at viewport coordinates: {@code mouseMoved}, {@code mousePressed} or {@code mouseReleased}. */
  public void mouse(String type, double x, double y) throws Exception {
    ObjectNode event = JSON.createObjectNode().put("type", type).put("x", x).put("y", y);
    if (!type.equals("mouseMoved")) {
      event.put("button", "left").put("clickCount", 1);
    }
    call("Input.dispatchMouseEvent", event);
  }

  private List<String> requests() {
    return events.stream().filter(e -> e.path("method").asText().equals("Network.requestWillBeSent"))
        .map(e -> e.at("/params/request/url").asText()).toList();
  }

  private List<String> errors() {
    List<String> errors = new ArrayList<>();
    for (JsonNode event : events) {
      JsonNode params = event.path("params");
      switch (event.path("method").asText()) {
        case "Runtime.exceptionThrown" -> errors.add("exception: " + params.at("/exceptionDetails/text").asText());
        case "Runtime.consoleAPICalled" -> {
          if (List.of("error", "assert").contains(params.path("type").asText())) {
            errors.add("console." + params.path("type").asText() + ": " + params.path("args"));
          }
        }
        case "Log.entryAdded" -> {
          if (params.at("/entry/level").asText().equals("error")) {
            errors.add(params.at("/entry/source").asText() + ": " + params.at("/entry/text").asText() + " "
                + params.at("/entry/url").asText());
          }
        }
        default -> { }
      }
    }
    return errors;
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    socket.sendText(JSON.writeValueAsString(message), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    JsonNode answer = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + ": " + answer.get("error"));
    }
    return answer.path("result");
  }

  @Override
  public void close() throws IOException {
    socket.abort();
    // Chromium's helper processes (network service, renderer) can outlive the browser for a moment
    // and still write into the profile: end them all before deleting it.
    List<ProcessHandle> processes = new ArrayList<>(process.descendants().toList());
    processes.add(process.toHandle());
    processes.forEach(ProcessHandle::destroy);
    try {
      for (ProcessHandle handle : processes) {
        try {
          handle.onExit().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
          handle.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      processes.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (UncheckedIOException e) {
      // A file that vanished while walking: what is left is a temporary folder, not worth a failure.
    }
  }

  /** Reassembles frames into messages: replies complete their call, everything else is an event. */
  private static final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private volatile HeadlessChromium browser;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(partial.toString());
          if (message.has("id")) {
            CompletableFuture<JsonNode> reply = browser.pending.remove(message.get("id").asInt());
            if (reply != null) {
              reply.complete(message);
            }
          } else {
            browser.events.add(message);
          }
        } catch (IOException e) {
          throw new IllegalStateException("unreadable DevTools message", e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }
}
