package io.fmnist.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;

/**
 * A Spark task's side of ingest: for a range {@code [from, to)} of record positions it
 * streams the images and labels from the source files and yields {@code (id, label, image)} rows,
 * one record in memory at a time.
 */
final class IdxRecordReader implements FlatMapFunction<long[], Row> {

  private static final long serialVersionUID = 1L;

  private final IdxFile images;
  private final IdxFile labels;
  private final Broadcast<SerializableConfiguration> conf;

  IdxRecordReader(IdxFile images, IdxFile labels, Broadcast<SerializableConfiguration> conf) {
    this.images = images;
    this.labels = labels;
    this.conf = conf;
  }

  @Override
  public Iterator<Row> call(long[] range) throws IOException {
    InputStream imageIn = images.openRecords(range[0], conf.value().value());
    InputStream labelIn = labels.openRecords(range[0], conf.value().value());
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener(context -> {
        closeQuietly(imageIn);
        closeQuietly(labelIn);
      });
    }
    int recordBytes = images.header().recordBytes();
    return new Iterator<>() {
      private long next = range[0];

      @Override
      public boolean hasNext() {
        return next < range[1];
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        try {
          byte[] image = imageIn.readNBytes(recordBytes);
          int label = labelIn.read();
          if (image.length != recordBytes || label < 0) {
            throw new IOException("record " + next + " ends early in " + images.uri()
                + " or " + labels.uri() + "; did the files change since they were checked?");
          }
          return RowFactory.create(next++, label, image);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // Closing after the task is done: nothing left to lose.
    }
  }
}
