package dev.vigil.config.yaml;

import java.util.List;

/** The nearest known name to a misspelt one, for messages that name something unknown. */
public final class DidYouMean {

    private DidYouMean() {
    }

    /**
     * "; did you mean "time"?" when a known word is within two edits, or is the only one that begins with
     * the word, else nothing.
     */
    public static String suggestion(String word, List<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(word.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        if (best == null && word.length() >= 4) {
            // A name given without its suffix (parcelco for parcelco-2026), when only one name fits.
            List<String> longer = known.stream().filter(k -> k.toLowerCase(java.util.Locale.ROOT)
                    .startsWith(word.toLowerCase(java.util.Locale.ROOT))).toList();
            best = longer.size() == 1 ? longer.get(0) : null;
        }
        return best == null ? "" : "; did you mean " + Quote.value(best) + "?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
