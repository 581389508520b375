package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StorageBasicsExampleTest {

    @Test
    void constructorsSetNameAndDefaultValue() throws Exception {
        String output = captureStdout(StorageBasicsExample::constructors);

        assertThat(output).isEqualTo("""
                [] null
                [tenant] null
                [locale] en
                """);
    }

    @Test
    void runNestsRestoresAndTakesNullAsAStore() throws Exception {
        String output = captureStdout(StorageBasicsExample::nesting);

        assertThat(output).isEqualTo("""
                en
                fr
                de
                fr
                null
                en
                """);
    }

    @Test
    void runReturnsTheResultAndPassesCheckedExceptionsThrough() throws Exception {
        String output = captureStdout(StorageBasicsExample::results);

        assertThat(output).isEqualTo("""
                messages_fr.properties
                caught: no messages for a null locale
                locale: en
                """);
        assertThat(StorageBasicsExample.LOCALE.getStore()).isEqualTo("en");
    }
}
