package io.fmnist.report;

import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.ext.heading.anchor.HeadingAnchorExtension;
import org.commonmark.node.Image;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The report's Markdown rendered (CommonMark with GitHub tables) into one self-contained HTML
 * page: every image is embedded as a data URI, so the page needs neither the run directory nor a
 * network to show them; links to the run's artifacts stay relative.
 */
final class HtmlPage {

  private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create(), HeadingAnchorExtension.create());

  private static final String STYLE = """
      body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2em auto;
             max-width: 1400px; padding: 0 1.5em; color: #222; line-height: 1.45; }
      h1, h2, h3 { color: #1b3a5c; }
      h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
      table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
      th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
      th:first-child, td:first-child { text-align: left; }
      tr:nth-child(even) td { background: #f6f8fa; }
      img { max-width: 100%; height: auto; margin: .3em .3em .3em 0; vertical-align: top; }
      img[title] { max-width: calc(50% - 1em); }  /* the Grad-CAM figures: two side by side */
      code { background: #f0f0f0; padding: .1em .3em; word-break: break-all; }
      .chart { width: 100%; height: 460px; margin: 1em 0; }
      #chart-confusion { height: 640px; max-width: 900px; }
      #explorer { min-height: 3em; }
      figure.thumb { display: inline-block; margin: .3em; text-align: center; font-size: .8em; }
      figure.thumb img { width: 56px; height: 56px; image-rendering: pixelated; margin: 0; border: 1px solid #ccc; }
      """;

  private HtmlPage() {}

  /**
   * {@code markdown} as a complete page titled {@code title}; {@code image} gives the bytes of
   * an image by its path in the Markdown (PNG), or null to leave the link as it is; {@code scripts}
   * (HTML) ends the body.
   */
  static String render(String title, String markdown, Function<String, byte[]> image, String scripts) {
    Parser parser = Parser.builder().extensions(EXTENSIONS).build();
    HtmlRenderer renderer = HtmlRenderer.builder().extensions(EXTENSIONS)
        .attributeProviderFactory(context -> (node, tag, attributes) -> {
          if (node instanceof Image) {
            byte[] png = image.apply(attributes.get("src"));
            if (png != null) {
              attributes.put("src", "data:image/png;base64," + Base64.getEncoder().encodeToString(png));
            }
          }
        })
        .build();
    String body = renderer.render(parser.parse(markdown));
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        // No favicon request: the page loads nothing but itself.
        + "<link rel=\"icon\" href=\"data:,\">\n"
        + "<title>" + escape(title) + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n"
        + body + scripts + "</body>\n</html>\n";
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
