package io.fmnist.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.run.BuildInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The scripts that end an interactive page: Apache ECharts (from its webjar on the classpath,
 * inlined so that the page opens offline), the page's data as JSON, and the page's own script
 * (a resource beside this class) that draws the charts from that data.
 */
final class PageScripts {

  private static final String ECHARTS =
      "/META-INF/resources/webjars/echarts/" + BuildInfo.echartsVersion() + "/dist/echarts.min.js";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PageScripts() {}

  /** {@code <script>} elements: ECharts, {@code data} as {@code #<dataId>}, then the resource {@code script}. */
  static String of(Object data, String dataId, String script) {
    String json;
    try {
      json = JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the page's data", e);
    }
    // "</" would end the script element early; "<\/" reads the same in JSON.
    return "<script>" + resource(ECHARTS) + "</script>\n"
        + "<script type=\"application/json\" id=\"" + dataId + "\">" + json.replace("</", "<\\/") + "</script>\n"
        + "<script>" + resource(script) + "</script>\n";
  }

  private static String resource(String name) {
    try (InputStream in = PageScripts.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + ": not on the classpath (the build packages it)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }
}
