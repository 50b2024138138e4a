package dev.vigil.summarise;

import java.util.Objects;

/**
 * One KPI series: a dimension and its value, such as (peer, "tax-gateway", "") or
 * (service-operation, "billing", "CreateInvoice"). Two parts rather than one joined string, because
 * operation names such as "GET /orders" contain every separator one could pick.
 */
public record KpiKey(Dimension dimension, String primary, String secondary) implements Comparable<KpiKey> {

    public KpiKey {
        Objects.requireNonNull(dimension, "dimension");
        Objects.requireNonNull(primary, "primary");
        secondary = secondary == null ? "" : secondary;
    }

    public void write(java.io.DataOutput out) throws java.io.IOException {
        out.writeByte(dimension.ordinal());
        out.writeUTF(primary);
        out.writeUTF(secondary);
    }

    public static KpiKey read(java.io.DataInput in) throws java.io.IOException {
        return new KpiKey(Dimension.values()[in.readByte()], in.readUTF(), in.readUTF());
    }

    public static KpiKey of(Dimension dimension, String primary) {
        return new KpiKey(dimension, primary, "");
    }

    @Override
    public int compareTo(KpiKey o) {
        int c = dimension.compareTo(o.dimension);
        if (c == 0) {
            c = primary.compareTo(o.primary);
        }
        return c != 0 ? c : secondary.compareTo(o.secondary);
    }
}
