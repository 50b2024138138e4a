package dev.vigil.server;

import com.linecorp.armeria.common.ServerCacheControl;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.file.HttpFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The web dashboard: static HTML, CSS and ES modules from the classpath ({@code dev/vigil/ui}), and ECharts
 * from its webjar. No build step and nothing fetched from elsewhere: the pages talk only to {@code /api/v1}.
 */
final class Dashboard {

    private static final String UI = "dev/vigil/ui";
    private static final String ECHARTS_POM = "META-INF/maven/org.webjars/echarts/pom.properties";

    private Dashboard() {
    }

    /** {@code /}: the single page; its views are chosen by the URL's fragment ({@code #/service/billing}). */
    static HttpService index() {
        return HttpFile.builder(Dashboard.class.getClassLoader(), UI + "/index.html")
                .cacheControl(ServerCacheControl.REVALIDATED).build().asService();
    }

    /** {@code /ui/*}: the dashboard's modules and style, revalidated so that an upgrade is never half-loaded. */
    static HttpService files(HttpService otherwise) {
        return FileService.builder(Dashboard.class.getClassLoader(), UI)
                .cacheControl(ServerCacheControl.REVALIDATED).build().orElse(otherwise);
    }

    /** {@code /ui/vendor/echarts/*}: the webjar's files, whichever version the build put on the classpath. */
    static HttpService echarts(HttpService otherwise) {
        String version = echartsVersion();
        if (version == null) {
            return otherwise;
        }
        return FileService.builder(Dashboard.class.getClassLoader(), "META-INF/resources/webjars/echarts/" + version)
                .cacheControl(ServerCacheControl.IMMUTABLE).build().orElse(otherwise);
    }

    private static String echartsVersion() {
        try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(ECHARTS_POM)) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }
}
