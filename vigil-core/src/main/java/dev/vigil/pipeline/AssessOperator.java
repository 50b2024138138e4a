package dev.vigil.pipeline;

import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.assess.Tally;
import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Operator;
import dev.vigil.operator.Output;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The assess stage, keyed by series (dimension and primary key: every objective judging that series is in one
 * place): keeps each objective's ledger from the merged windows it is handed, judges each minute once the
 * watermark closes it, and hands out the burn-rate alerts that start or stop firing.
 *
 * <p>A window handed out again (a revision: late events) replaces what it said before; the last closed minute
 * is judged again at the next watermark, so a revision that tips an alert does so at once, not a minute later.
 * An objective over a series without a name (a service's every operation) merges the windows of the minute
 * before judging it, because a statistic (p95) of the whole is not a sum of the parts'. The windows of a minute
 * are kept until the final line passes it (no revision can come after), its tally for as long as the objective's
 * period and alert windows reach back.
 *
 * <p>The API reads the ledgers while the runtime's thread feeds them: every method is synchronized, and
 * {@link #read} hands a reader a consistent view.
 */
public final class AssessOperator implements Operator<MergedWindow, ObjectiveLedger.Transition> {

    private static final long MINUTE = WindowSpan.MINUTE.micros();

    /** One objective's ledger and where its judging stands. */
    public static final class Account {
        private final Objective objective;
        private final ObjectiveLedger ledger;
        /** The end of the last minute judged, or Long.MIN_VALUE before any. */
        private long judgedTo = Long.MIN_VALUE;
        /** The first minute it had a window for (where judging starts). */
        private long firstMinute = Long.MAX_VALUE;
        /** A window of a judged minute changed since the last judging. */
        private boolean revised;
        /** The windows of minutes not final yet, by minute and series name. */
        private final TreeMap<Long, TreeMap<String, KpiWindow>> open = new TreeMap<>();

        private Account(Objective objective) {
            this.objective = objective;
            this.ledger = new ObjectiveLedger(objective.spec());
        }

        public Objective objective() {
            return objective;
        }

        public ObjectiveLedger ledger() {
            return ledger;
        }

        /** The end of the last minute judged, or Long.MIN_VALUE before any. */
        public long judgedTo() {
            return judgedTo;
        }

        private boolean takes(KpiKey k) {
            Objective.Series s = objective.series();
            return s.dimension() == k.dimension() && s.key().equals(k.primary())
                    && (s.name() == null || s.name().equals(k.secondary()));
        }

        private void put(MergedWindow w) {
            TreeMap<String, KpiWindow> parts = open.computeIfAbsent(w.startMicros(), m -> new TreeMap<>());
            parts.put(String.valueOf(w.key().secondary()), w.window());
            KpiWindow all;
            if (parts.size() == 1) {
                all = w.window();
            } else {
                all = new KpiWindow();
                parts.values().forEach(all::mergeWith);
            }
            ledger.put(w.startMicros(), objective.spec().indicator().tally(all));
            firstMinute = Math.min(firstMinute, w.startMicros());
            if (w.startMicros() < judgedTo) {
                revised = true;
            }
        }

        private void judge(long closedTo, long finalBefore, Output<ObjectiveLedger.Transition> out) {
            if (closedTo > judgedTo) {
                if (firstMinute == Long.MAX_VALUE) {
                    return; // nothing to judge yet: an objective starts at its series' first window
                }
                long start = judgedTo == Long.MIN_VALUE ? Math.min(closedTo, firstMinute + MINUTE) : judgedTo + MINUTE;
                for (long end = start; end <= closedTo; end += MINUTE) {
                    ledger.evaluate(end).forEach(out::emit);
                }
                judgedTo = closedTo;
            } else if (revised) {
                ledger.evaluate(judgedTo).forEach(out::emit);
            }
            revised = false;
            if (finalBefore != Long.MIN_VALUE) {
                open.headMap(finalBefore - MINUTE, true).clear(); // final: no revision can come
            }
            ledger.forgetBefore(judgedTo);
        }

        private void write(java.io.DataOutputStream out) throws java.io.IOException {
            out.writeUTF(objective.name());
            out.writeLong(judgedTo);
            out.writeLong(firstMinute);
            out.writeBoolean(revised);
            Map<String, Boolean> firing = ledger.firingByRule();
            out.writeInt(firing.size());
            for (Map.Entry<String, Boolean> f : new TreeMap<>(firing).entrySet()) {
                out.writeUTF(f.getKey());
                out.writeBoolean(f.getValue());
            }
            Map<Long, Tally> minutes = new LinkedHashMap<>();
            ledger.forEachMinute(minutes::put);
            out.writeInt(minutes.size());
            for (Map.Entry<Long, Tally> m : minutes.entrySet()) {
                out.writeLong(m.getKey());
                out.writeDouble(m.getValue().good());
                out.writeDouble(m.getValue().total());
            }
            out.writeInt(open.size());
            for (Map.Entry<Long, TreeMap<String, KpiWindow>> m : open.entrySet()) {
                out.writeLong(m.getKey());
                out.writeInt(m.getValue().size());
                for (Map.Entry<String, KpiWindow> part : m.getValue().entrySet()) {
                    out.writeUTF(part.getKey());
                    part.getValue().write(out);
                }
            }
        }

        private void read(java.io.DataInputStream in) throws java.io.IOException {
            judgedTo = in.readLong();
            firstMinute = in.readLong();
            revised = in.readBoolean();
            for (int i = in.readInt(); i > 0; i--) {
                ledger.restoreFiring(in.readUTF(), in.readBoolean());
            }
            for (int i = in.readInt(); i > 0; i--) {
                ledger.put(in.readLong(), new Tally(in.readDouble(), in.readDouble()));
            }
            for (int i = in.readInt(); i > 0; i--) {
                TreeMap<String, KpiWindow> parts = new TreeMap<>();
                long minute = in.readLong();
                for (int j = in.readInt(); j > 0; j--) {
                    parts.put(in.readUTF(), KpiWindow.read(in));
                }
                open.put(minute, parts);
            }
        }
    }

    /** The accounts of each series key, in declaration order. */
    private final Map<String, List<Account>> bySeries = new LinkedHashMap<>();
    private final Map<String, Account> byName = new LinkedHashMap<>();

    public AssessOperator(List<Objective> objectives) {
        for (Objective o : objectives) {
            Account a = new Account(o);
            byName.put(o.name(), a);
            bySeries.computeIfAbsent(keyOf(o.series()), k -> new ArrayList<>()).add(a);
        }
    }

    /** The key objectives on this series are kept under. */
    public static String keyOf(Objective.Series s) {
        return keyOf(s.dimension(), s.key());
    }

    /** The key a window routes by: its dimension and primary key (an objective may take one name or all). */
    public static String keyOf(KpiKey k) {
        return keyOf(k.dimension(), k.primary());
    }

    private static String keyOf(dev.vigil.summarise.Dimension d, String key) {
        return d.wire() + '\0' + key;
    }

    /**
     * The keys of the series some objective judges: a window goes to this stage only when its key is one of them.
     * (A window of such a series whose name no objective takes goes too, and is passed over.)
     */
    public static java.util.Set<String> judged(List<Objective> objectives) {
        return objectives.stream().map(o -> keyOf(o.series())).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    @Override
    public synchronized void onElement(MergedWindow w, Output<ObjectiveLedger.Transition> out) {
        List<Account> accounts = bySeries.get(keyOf(w.key()));
        if (accounts == null) {
            return;
        }
        for (Account a : accounts) {
            if (a.takes(w.key())) {
                a.put(w);
            }
        }
    }

    @Override
    public synchronized void onWatermark(long watermark, long finalBefore, Output<ObjectiveLedger.Transition> out) {
        if (watermark == Long.MIN_VALUE) {
            return;
        }
        long closedTo = WindowSpan.MINUTE.startOf(watermark);
        for (Account a : byName.values()) {
            a.judge(closedTo, finalBefore, out);
        }
    }

    @Override
    public synchronized void snapshot(KeyedState.Sink sink) {
        for (Map.Entry<String, List<Account>> e : bySeries.entrySet()) {
            List<Account> started = e.getValue().stream().filter(a -> a.firstMinute != Long.MAX_VALUE).toList();
            if (started.isEmpty()) {
                continue;
            }
            sink.put(e.getKey(), KeyedState.write(out -> {
                out.writeInt(started.size());
                for (Account a : started) {
                    a.write(out);
                }
            }));
        }
    }

    @Override
    public synchronized void restore(String key, byte[] state) {
        KeyedState.read(key, state, in -> {
            for (int i = in.readInt(); i > 0; i--) {
                String name = in.readUTF();
                Account a = byName.get(name);
                if (a == null || !keyOf(a.objective.series()).equals(key)) {
                    throw new java.io.IOException("objective '" + name + "' is not declared on this series");
                }
                a.read(in);
            }
        });
    }

    /**
     * Takes up an alert change decided elsewhere (the Flink job's assess stage, whose alerts a server reads from
     * Kafka): the rule fires, or not, as it says.
     */
    public synchronized void restoreFiring(ObjectiveLedger.Transition t) {
        Account a = byName.get(t.objective());
        if (a != null) {
            a.ledger.restoreFiring(t.rule().id(), t.firing());
        }
    }

    /** Lets {@code reader} look at every objective's account, in declaration order, while no element changes them. */
    public synchronized <T> T read(java.util.function.Function<List<Account>, T> reader) {
        return reader.apply(List.copyOf(byName.values()));
    }

    /** The rules firing now, by objective. */
    public synchronized Map<String, List<BurnRule>> firing() {
        Map<String, List<BurnRule>> out = new LinkedHashMap<>();
        for (Account a : byName.values()) {
            List<BurnRule> f = a.objective.spec().rules().stream().filter(a.ledger::firing).toList();
            if (!f.isEmpty()) {
                out.put(a.objective.name(), f);
            }
        }
        return out;
    }
}
