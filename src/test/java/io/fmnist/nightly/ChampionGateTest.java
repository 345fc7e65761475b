package io.fmnist.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.eval.Leaderboard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate's rule, and the runs root under concurrent nightly gates on a real file system. */
class ChampionGateTest {

  private final Configuration conf = new Configuration();
  private final ChampionGate gate = new ChampionGate(0.005, Duration.ofSeconds(30), Duration.ofHours(3));

  @Test
  void promotesUnlessWorseBeyondTheToleranceOrIntervalWhollyBelow() {
    Champions champions = new Champions(Map.of(
        "lr", champion(0.9047, 0.8990, 0.9100),
        "rf", champion(0.8880, 0.8820, 0.8940),
        "cnn", champion(0.9228, 0.9180, 0.9280)));
    Leaderboard challengers = leaderboard(
        entry("lr", 0.9010, 0.8950, 0.9070),    // 0.0037 lower: within the tolerance
        entry("rf", 0.8800, 0.8740, 0.8860),    // 0.008 lower: beyond it
        entry("cnn", 0.9300, 0.9250, 0.9350),   // better
        entry("mlp", 0.9149, 0.9090, 0.9200));  // no champion yet
    Map<String, ChampionGate.Decision> decisions = byModel(gate.decide(champions, challengers));
    assertTrue(decisions.get("lr").promoted(), decisions.get("lr").reason());
    assertFalse(decisions.get("rf").promoted(), decisions.get("rf").reason());
    assertTrue(decisions.get("rf").reason().contains("tolerance"));
    assertTrue(decisions.get("cnn").promoted());
    assertTrue(decisions.get("mlp").promoted());
    assertEquals("no champion yet", decisions.get("mlp").reason());

    // Within the tolerance, but the bootstrap says the drop is real: refused.
    ChampionGate loose = new ChampionGate(0.05, Duration.ofSeconds(1), Duration.ofHours(1));
    ChampionGate.Decision real = loose.decide(new Champions(Map.of("lr", champion(0.95, 0.945, 0.955))),
        leaderboard(entry("lr", 0.93, 0.925, 0.935))).get(0);
    assertFalse(real.promoted());
    assertTrue(real.reason().contains("interval"), real.reason());

    Champions next = ChampionGate.apply(champions, List.copyOf(decisions.values()), "night-2");
    assertEquals("night-2", next.models().get("lr").run());
    assertEquals("night-1", next.models().get("rf").run(), "a refused challenger leaves its champion");
    assertEquals(0.9149, next.models().get("mlp").accuracy());
  }

  @Test
  void concurrentGatesOnOneRunsRootKeepEveryNightAndAConsistentChampion(@TempDir Path tmp) throws Exception {
    RunsRoot root = RunsRoot.at(tmp.toString(), conf);
    int nights = 6;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(nights);
    List<Future<List<ChampionGate.Decision>>> results = new ArrayList<>();
    for (int i = 0; i < nights; i++) {
      double accuracy = 0.90 + 0.002 * i;
      String run = "2026112" + i + "-020000-000" + i;
      results.add(pool.submit(() -> {
        start.await();
        return gate.gate(root, run, leaderboard(entry("lr", accuracy, accuracy - 0.006, accuracy + 0.006)), conf);
      }));
    }
    start.countDown();
    for (Future<List<ChampionGate.Decision>> result : results) {
      assertEquals(1, result.get().size());
    }
    pool.shutdown();

    NightlyHistory history = new NightlyHistory(root, conf);
    assertEquals(nights, history.all().size(), "every night is in the history");
    // Serializable: replaying the nights in the order their gates ran gives the same verdicts
    // and the same champion, so no gate saw a half-updated champion or lost another's update.
    Champions replayed = new Champions(Map.of());
    List<NightlyHistory.Night> ordered = history.all().stream()
        .sorted(Comparator.comparing(night -> Instant.parse(night.gated()))).toList();
    for (NightlyHistory.Night night : ordered) {
      ChampionGate.Decision recorded = night.decisions().get(0);
      ChampionGate.Decision again = gate.decide(replayed, leaderboard(entry("lr", recorded.accuracy(),
          recorded.accuracyCi().low(), recorded.accuracyCi().high()))).get(0);
      assertEquals(again.promoted(), recorded.promoted(), night.run());
      replayed = ChampionGate.apply(replayed, List.of(again), night.run());
    }
    assertTrue(ordered.get(0).decisions().get(0).promoted(), "the first night has no champion to beat");
    Champions champions = Champions.read(root.champion(), conf);
    assertEquals(replayed.models().get("lr").run(), champions.models().get("lr").run());
    assertTrue(Files.size(Path.of(root.trend().toUri())) > 1000);
    assertFalse(Files.exists(Path.of(root.lock().toUri())), "the lock is released");
    try (var files = Files.list(tmp)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".tmp-")), "no half-written files");
    }
  }

  @Test
  void aHeldLockMakesTheSecondWaitThenGiveUpAndAStaleOneIsBroken(@TempDir Path tmp) throws Exception {
    RunsRoot root = RunsRoot.at(tmp.toString(), conf);
    try (RunsLock held = RunsLock.acquire(root.lock(), Duration.ZERO, Duration.ofHours(1), conf)) {
      IllegalStateException busy = assertThrows(IllegalStateException.class,
          () -> RunsLock.acquire(root.lock(), Duration.ofMillis(500), Duration.ofHours(1), conf));
      assertTrue(busy.getMessage().contains("still locked"), busy.getMessage());
    }
    Path lock = Path.of(root.lock().toUri());
    Files.writeString(lock, "a crashed run");
    Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(Duration.ofHours(4))));
    try (RunsLock broken = RunsLock.acquire(root.lock(), Duration.ZERO, Duration.ofHours(3), conf)) {
      assertFalse(Files.readString(lock).contains("crashed"));
    }
    assertFalse(Files.exists(lock));
  }

  private static Champions.Champion champion(double accuracy, double low, double high) {
    return new Champions.Champion("night-1", accuracy, new Leaderboard.Interval(low, high), "2026-11-25T02:00:00Z");
  }

  private static Leaderboard.Entry entry(String model, double accuracy, double low, double high) {
    return new Leaderboard.Entry(model, accuracy, new Leaderboard.Interval(low, high), accuracy,
        new Leaderboard.Interval(low, high), 1, 1, null, null, null);
  }

  private static Leaderboard leaderboard(Leaderboard.Entry... entries) {
    return new Leaderboard(1000, List.of(entries), List.of());
  }

  private static Map<String, ChampionGate.Decision> byModel(List<ChampionGate.Decision> decisions) {
    Map<String, ChampionGate.Decision> out = new HashMap<>();
    decisions.forEach(d -> out.put(d.model(), d));
    return out;
  }
}
