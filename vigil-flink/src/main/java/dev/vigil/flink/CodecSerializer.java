package dev.vigil.flink;

import dev.vigil.pipeline.Codec;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** A Flink serializer that writes elements in their {@link Codec}'s form. The elements are immutable records. */
final class CodecSerializer<T> extends TypeSerializer<T> {

    private final Codec codec;

    CodecSerializer(Codec codec) {
        this.codec = codec;
    }

    /** The type information that makes Flink use this serializer. */
    static <T> TypeInformation<T> info(Codec codec) {
        return new Info<>(codec);
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public T createInstance() {
        return null;
    }

    @Override
    public T copy(T from) {
        return from;
    }

    @Override
    public T copy(T from, T reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(T record, DataOutputView target) throws IOException {
        codec.write(record, target);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(DataInputView source) throws IOException {
        return (T) codec.read(source);
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        codec.write(codec.read(source), target);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodecSerializer<?> c && c.codec == codec;
    }

    @Override
    public int hashCode() {
        return codec.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new Snapshot<>(codec);
    }

    /** Names the codec; a state or savepoint written with it is read back with the same. */
    public static final class Snapshot<T> implements TypeSerializerSnapshot<T> {
        private Codec codec;

        public Snapshot() {
        }

        Snapshot(Codec codec) {
            this.codec = codec;
        }

        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeUTF(codec.name());
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
            codec = Codec.valueOf(in.readUTF());
        }

        @Override
        public TypeSerializer<T> restoreSerializer() {
            return new CodecSerializer<>(codec);
        }

        @Override
        public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
            return old instanceof Snapshot<T> s && s.codec == codec
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }

    private static final class Info<T> extends TypeInformation<T> {
        private final Codec codec;

        Info(Codec codec) {
            this.codec = codec;
        }

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Class<T> getTypeClass() {
            return (Class<T>) codec.type();
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<T> createSerializer(SerializerConfig config) {
            return new CodecSerializer<>(codec);
        }

        @Override
        public String toString() {
            return "vigil " + codec.name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Info<?> i && i.codec == codec;
        }

        @Override
        public int hashCode() {
            return codec.hashCode();
        }

        @Override
        public boolean canEqual(Object o) {
            return o instanceof Info<?>;
        }
    }
}
