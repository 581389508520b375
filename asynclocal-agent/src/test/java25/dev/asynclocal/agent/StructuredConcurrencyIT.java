package dev.asynclocal.agent;

import java.util.concurrent.StructuredTaskScope.Configuration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@code StructuredTaskScope} forks under the agent, with the scope's default thread factory. */
class StructuredConcurrencyIT extends StructuredConcurrencyScenarios {
    @Override
    Function<Configuration, Configuration> configuration() {
        return Function.identity();
    }

    @Test
    void forks() throws Exception {
        aForkSeesTheForkersContextAndItsChangesDoNotFlowBack();
    }

    @Test
    void nesting() throws Exception {
        aForkOutsideAnyContextSeesNothingAndNestedScopesFollow();
    }

    @Test
    void scopedValues() throws Exception {
        scopedValuesAndStoresTravelTogetherInEitherNesting();
    }

    @Test
    void many() throws Exception {
        manyForksEachSeeTheirOwn();
    }

    @Test
    void aPlatformThreadFactoryGetsTheSame() throws Exception {
        StructuredConcurrencyScenarios platform = new StructuredConcurrencyScenarios() {
            @Override
            Function<Configuration, Configuration> configuration() {
                return cf -> cf.withThreadFactory(Thread.ofPlatform().factory());
            }
        };
        platform.aForkSeesTheForkersContextAndItsChangesDoNotFlowBack();
    }
}
