package dev.vigil.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergeOperatorTest {

    private static final long MINUTE = WindowSpan.MINUTE.micros();
    private static final KpiKey KEY = KpiKey.of(Dimension.SERVICE, "checkout");

    private static ClosedWindow part(long start, long... durations) {
        KpiWindow w = new KpiWindow();
        for (long d : durations) {
            w.accept(d, false);
        }
        return new ClosedWindow(KEY, WindowSpan.MINUTE, start, w);
    }

    @Test
    void aWindowHandedOutIsNotChangedByALatePartItsNextRevisionCarriesBoth() {
        MergeOperator merge = new MergeOperator();
        List<MergedWindow> out = new ArrayList<>();
        merge.onElement(part(0, 1_000, 2_000), out::add);
        merge.onWatermark(MINUTE, Long.MIN_VALUE, out::add);
        assertThat(out).hasSize(1);
        MergedWindow first = out.get(0);
        byte[] firstSketch = first.window().sketchBytes();

        // A late part, while the runtime may be storing the first revision on another thread.
        merge.onElement(part(0, 900_000), out::add);
        assertThat(first.window().count()).as("the revision handed out").isEqualTo(2);
        assertThat(first.window().sketchBytes()).isEqualTo(firstSketch);

        merge.onWatermark(MINUTE + 1, Long.MIN_VALUE, out::add);
        assertThat(out).hasSize(2);
        MergedWindow second = out.get(1);
        assertThat(second.revision()).isEqualTo(2);
        assertThat(second.window().count()).isEqualTo(3);
        assertThat(second.window()).isNotSameAs(first.window());
        assertThat(first.window().count()).isEqualTo(2);
    }
}
