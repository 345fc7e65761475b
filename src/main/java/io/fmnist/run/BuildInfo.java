package io.fmnist.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions of this build and of the libraries it runs on, for run manifests. */
public final class BuildInfo {

  private BuildInfo() {}

  /** Application version and git commit (recorded at build time), Java, Spark, Scala and DL4J versions. */
  public static Map<String, String> versions(String sparkVersion) {
    Properties git = properties("fmnist-git.properties");
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("fashion-mnist-spark", properties("fmnist-version.properties").getProperty("version", "unknown"));
    versions.put("git-commit", git.getProperty("git.commit.id", "unknown")
        + ("true".equals(git.getProperty("git.dirty")) ? " (uncommitted changes)" : ""));
    versions.put("java", System.getProperty("java.version"));
    versions.put("spark", sparkVersion);
    versions.put("scala", scala.util.Properties.versionNumberString());
    versions.put("deeplearning4j", mavenVersion("org.deeplearning4j", "deeplearning4j-nn"));
    versions.put("nd4j", mavenVersion("org.nd4j", "nd4j-native"));
    return versions;
  }

  /** The version of Apache ECharts the build packages for the report pages. */
  public static String echartsVersion() {
    return properties("fmnist-version.properties").getProperty("echarts", "unknown");
  }

  /** The version a jar on the classpath records in its Maven metadata. */
  private static String mavenVersion(String group, String artifact) {
    return properties("META-INF/maven/" + group + "/" + artifact + "/pom.properties")
        .getProperty("version", "unknown");
  }

  private static Properties properties(String resource) {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream(resource)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
    return properties;
  }
}
