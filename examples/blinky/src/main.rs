//! Minimal Cortex-M4 blinky for the STM32F411 "Black Pill": toggles the LED
//! on PC13 every 500 ms.
//!
//! With the `semihosting` feature each toggle is also logged through ARM
//! semihosting; the default build has no semihosting dependency at all.

#![no_std]
#![no_main]

use cortex_m_rt::entry;
use panic_halt as _;
use stm32f4xx_hal::{pac, prelude::*};

#[entry]
fn main() -> ! {
    // Initialize peripheral access controller
    let dp = pac::Peripherals::take().expect("Failed to take Peripherals");

    // Configure system clocks: 8MHz HSE, 84MHz PLL
    let rcc = dp.RCC.constrain();
    let clocks = rcc
        .cfgr
        .use_hse(8.MHz())
        .sysclk(84.MHz())
        .pclk1(42.MHz())
        .pclk2(84.MHz())
        .freeze();

    // Configure GPIO pin for LED (PC13 on STM32F411 "Black Pill")
    let gpioc = dp.GPIOC.split();
    let mut led = gpioc.pc13.into_push_pull_output();

    // Configure SYSTICK for 1ms delays
    let mut delay = cortex_m::delay::Delay::new(
        cortex_m::Peripherals::take().unwrap().SYST,
        clocks.sysclk().to_Hz(),
    );

    loop {
        // Toggle LED state
        led.toggle();
        // Delay 500ms
        delay.delay_ms(500u32);
        // Log toggle event (only with the `semihosting` feature)
        #[cfg(feature = "semihosting")]
        cortex_m_semihosting::hprintln!("LED toggled");
    }
}
