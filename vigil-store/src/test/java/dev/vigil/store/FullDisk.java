package dev.vigil.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * A disk that can fill up on demand, for tests that cannot mount a small file system: the journal's files are
 * opened through it, and while {@link #full} is set every write stores part of its bytes and then fails as a
 * full disk does (ENOSPC after a short write). {@link #truncateFails} makes cutting a file back fail too.
 */
final class FullDisk implements JournalFile.Opener {

    volatile boolean full;
    volatile boolean truncateFails;
    /** When set, every write waits for it: holds the journal's writer in the middle of a commit. */
    volatile java.util.concurrent.CountDownLatch gate;
    /** Counted down by a write when it reaches the gate. */
    final java.util.concurrent.CountDownLatch atGate = new java.util.concurrent.CountDownLatch(1);

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        // Creating a file needs no data block on most file systems; writing to it is what fails.
        return new Channel(FileChannel.open(path, options));
    }

    private final class Channel extends FileChannel {
        private final FileChannel inner;

        Channel(FileChannel inner) {
            this.inner = inner;
        }

        private IOException noSpace() {
            return new IOException("No space left on device");
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            java.util.concurrent.CountDownLatch g = gate;
            if (g != null) {
                atGate.countDown();
                try {
                    g.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            if (full) {
                if (src.remaining() > 1) {
                    ByteBuffer part = src.slice(src.position(), src.remaining() / 2);
                    int n = inner.write(part);
                    src.position(src.position() + n);
                }
                throw noSpace();
            }
            return inner.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            if (full) {
                throw noSpace();
            }
            return inner.write(src, position);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            if (full) {
                throw noSpace();
            }
            return inner.write(srcs, offset, length);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            if (truncateFails) {
                throw new IOException("Input/output error");
            }
            inner.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            inner.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return inner.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return inner.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return inner.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return inner.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            inner.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return inner.size();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return inner.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            if (full) {
                throw noSpace();
            }
            return inner.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return inner.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return inner.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return inner.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            inner.close();
        }
    }
}
