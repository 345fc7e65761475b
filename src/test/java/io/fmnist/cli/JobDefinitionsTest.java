package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.errors.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.commons.cli.ParseException;
import org.junit.jupiter.api.Test;

/**
 * Every file in jobs/ parses, names this project's entry point, and its arguments pass the real
 * command-line parser and configuration loader: a job definition cannot drift from the CLI.
 */
class JobDefinitionsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path JOBS = Path.of("jobs");
  private static final String MAIN = Main.class.getName();
  /** Deep training runs in barrier stages, which Spark refuses under dynamic allocation (on by default on EMR). */
  private static final String BARRIER = "dynamic allocation off for the barrier stages";

  @Test
  void databricksJobRunsNightlyFromTheJarOnAClassicJava17ClusterOnASchedule() throws Exception {
    JsonNode job = read("databricks-nightly.json");
    JsonNode task = job.at("/tasks/0");
    assertEquals(MAIN, task.at("/spark_jar_task/main_class_name").asText());
    checkArguments(strings(task.at("/spark_jar_task/parameters")));
    assertTrue(task.at("/libraries/0/jar").asText().endsWith("-cluster.jar"));
    assertTrue(task.path("timeout_seconds").asInt() > 0 && task.path("max_retries").asInt() >= 1);

    JsonNode cluster = job.at("/job_clusters/0/new_cluster");
    assertEquals(task.path("job_cluster_key").asText(), job.at("/job_clusters/0/job_cluster_key").asText());
    // Runtime 15.x is Spark 3.5 on Scala 2.12; JNAME selects its Java 17.
    assertTrue(Pattern.matches("1[5-9]\\.\\d+\\.x-scala2\\.12", cluster.path("spark_version").asText()));
    assertEquals("zulu17-ca-amd64", cluster.at("/spark_env_vars/JNAME").asText());
    // The RDD API that DL4J trains through needs a classic single-user cluster.
    assertEquals("SINGLE_USER", cluster.path("data_security_mode").asText());
    assertTrue(cluster.at("/spark_conf/spark.executor.extraJavaOptions").asText().contains("headless"));
    assertEquals("false", cluster.at("/spark_conf/spark.dynamicAllocation.enabled").asText(), BARRIER);

    String cron = job.at("/schedule/quartz_cron_expression").asText();
    assertEquals(6, cron.split(" ").length, "quartz: seconds minutes hours day month weekday");
    assertEquals(1, job.path("max_concurrent_runs").asInt());
  }

  @Test
  void emrStepIsASparkSubmitOfTheClusterJarThroughCommandRunner() throws Exception {
    JsonNode step = read("emr-step.json").get(0);
    assertEquals("command-runner.jar", step.path("Jar").asText());
    List<String> args = strings(step.path("Args"));
    assertEquals("spark-submit", args.get(0));
    assertEquals("spark.dynamicAllocation.enabled=false", args.get(args.indexOf("--conf") + 1), BARRIER);
    checkArguments(applicationArguments(args.subList(1, args.size())));
  }

  @Test
  void emrServerlessRunAndItsNightlyScheduleStartTheSameJob() throws Exception {
    JsonNode run = read("emr-serverless-start-job-run.json");
    checkServerlessRun(run);
    JsonNode schedule = read("emr-serverless-schedule.json");
    assertTrue(schedule.at("/ScheduleExpression").asText().startsWith("cron("));
    assertTrue(schedule.at("/Target/Arn").asText().endsWith("emrserverless:startJobRun"));
    JsonNode scheduled = JSON.readTree(schedule.at("/Target/Input").asText());
    checkServerlessRun(scheduled);
    assertEquals(run.at("/jobDriver"), scheduled.at("/jobDriver"), "the schedule starts the same job");
  }

  @Test
  void noJobFileHoldsACredential() throws Exception {
    Pattern secret = Pattern.compile("AKIA[0-9A-Z]{16}|dapi[0-9a-f]{32}|(?i)\"[^\"]*(password|secret_key|token)\"\\s*:");
    try (var files = Files.list(JOBS)) {
      List<Path> json = files.filter(f -> f.toString().endsWith(".json")).toList();
      assertEquals(4, json.size(), json.toString());
      for (Path file : json) {
        String text = Files.readString(file);
        assertFalse(secret.matcher(text).find(), file.toString());
        assertTrue(text.matches("(?s).*(s3a?://|dbfs:/).*"), file + " names its storage by URI");
      }
    }
  }

  @Test
  void theCheckCatchesADriftedDefinition() {
    assertThrows(ParseException.class, () -> Main.check(new String[] {"nightly", "--input", "s3a://b/d"}));
    assertThrows(ParseException.class, () -> Main.check(new String[] {"nightly", "--input", "s3a://b/d",
        "--runs", "s3a://b/r", "--epochs", "3"}));
    assertThrows(UsageException.class, () -> Main.check(new String[] {"nightly", "--input", "s3a://b/d",
        "--runs", "s3a://b/r", "--set", "deep.cnn.epoch=3"}));
  }

  private static void checkServerlessRun(JsonNode run) throws Exception {
    JsonNode submit = run.at("/jobDriver/sparkSubmit");
    assertTrue(submit.path("entryPoint").asText().endsWith("-cluster.jar"));
    List<String> parameters = Arrays.asList(submit.path("sparkSubmitParameters").asText().split("\\s+"));
    assertEquals(MAIN, parameters.get(parameters.indexOf("--class") + 1));
    assertTrue(parameters.contains("spark.dynamicAllocation.enabled=false"), BARRIER);
    checkArguments(strings(submit.path("entryPointArguments")));
    assertTrue(run.path("executionRoleArn").asText().startsWith("arn:aws:iam::"));
  }

  /** The arguments after spark-submit's own options (each of those in jobs/ takes a value) and the jar. */
  private static List<String> applicationArguments(List<String> sparkSubmit) {
    for (int i = 0; i < sparkSubmit.size(); i += 2) {
      if (sparkSubmit.get(i).equals("--class")) {
        assertEquals(MAIN, sparkSubmit.get(i + 1));
      }
      if (!sparkSubmit.get(i).startsWith("--")) {
        assertTrue(sparkSubmit.get(i).endsWith("-cluster.jar"), sparkSubmit.get(i));
        return sparkSubmit.subList(i + 1, sparkSubmit.size());
      }
    }
    throw new AssertionError("no application jar in " + sparkSubmit);
  }

  private static void checkArguments(List<String> args) throws Exception {
    assertEquals("nightly", args.get(0));
    Main.check(args.toArray(String[]::new));
  }

  private static JsonNode read(String file) throws Exception {
    return JSON.readTree(JOBS.resolve(file).toFile());
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }
}
